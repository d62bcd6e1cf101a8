<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>AftersalesMenu</name>
    <message>
        <source>Claims guidance slip…</source>
        <translation>理赔指引…</translation>
    </message>
    <message>
        <source>Complaints…</source>
        <translation>投诉/纠纷…</translation>
    </message>
    <message>
        <source>Insurer directory…</source>
        <translation>保险公司通讯录…</translation>
    </message>
    <message>
        <source>Look up the vehicle first, then print its claims guidance.</source>
        <translation>请先查到这辆车，再打印它的理赔指引。</translation>
    </message>
    <message>
        <source>SMS reminder list…</source>
        <translation>短信提醒名单…</translation>
    </message>
</context>
<context>
    <name>ComplaintsDialog</name>
    <message>
        <source>Add follow-up</source>
        <translation>添加跟进</translation>
    </message>
    <message>
        <source>Category</source>
        <translation>类别</translation>
    </message>
    <message>
        <source>Change state</source>
        <translation>改状态</translation>
    </message>
    <message>
        <source>Closing needs a supervisor.</source>
        <translation>关闭投诉需要主管。</translation>
    </message>
    <message>
        <source>Complaints and disputes</source>
        <translation>投诉/纠纷</translation>
    </message>
    <message>
        <source>Due</source>
        <translation>到期日</translation>
    </message>
    <message>
        <source>Follow-up note</source>
        <translation>跟进说明</translation>
    </message>
    <message>
        <source>New complaint for %1</source>
        <translation>为 %1 登记新投诉</translation>
    </message>
    <message>
        <source>Note</source>
        <translation>情况</translation>
    </message>
    <message>
        <source>Promised</source>
        <translation>答应客户</translation>
    </message>
    <message>
        <source>Record complaint</source>
        <translation>登记投诉</translation>
    </message>
    <message>
        <source>Show closed ones too</source>
        <translation>也显示已关闭的</translation>
    </message>
    <message>
        <source>What the customer says is wrong</source>
        <translation>客户反映的问题</translation>
    </message>
    <message>
        <source>What we promised the customer</source>
        <translation>我们答应客户的事</translation>
    </message>
</context>
<context>
    <name>ComplaintsModel</name>
    <message>
        <source>Category</source>
        <translation>类别</translation>
    </message>
    <message>
        <source>Due</source>
        <translation>到期日</translation>
    </message>
    <message>
        <source>Overdue</source>
        <translation>逾期</translation>
    </message>
    <message>
        <source>Owner</source>
        <translation>负责人</translation>
    </message>
    <message>
        <source>Plate</source>
        <translation>车牌</translation>
    </message>
    <message>
        <source>State</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>⚠ Overdue</source>
        <translation>⚠ 已逾期</translation>
    </message>
</context>
<context>
    <name>DirectoryDialog</name>
    <message>
        <source>Claims hotline</source>
        <translation>报案电话</translation>
    </message>
    <message>
        <source>Claims office hours</source>
        <translation>理赔办理时间</translation>
    </message>
    <message>
        <source>Confirmed by %1 at %2</source>
        <translation>由 %1 于 %2 核实</translation>
    </message>
    <message>
        <source>I checked these numbers with the insurer (已核实)</source>
        <translation>我已与保险公司核对这些号码（已核实）</translation>
    </message>
    <message>
        <source>Insurer directory</source>
        <translation>保险公司通讯录</translation>
    </message>
    <message>
        <source>Local claims address</source>
        <translation>本地理赔地址</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>Not yet confirmed: printed as 待核实.</source>
        <translation>尚未核实：打印时标“待核实”。</translation>
    </message>
    <message>
        <source>Only an administrator may change the directory.</source>
        <translation>只有管理员可以修改通讯录。</translation>
    </message>
    <message>
        <source>Report within (hours)</source>
        <translation>报案时限（小时）</translation>
    </message>
    <message>
        <source>Roadside assistance</source>
        <translation>道路救援</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>保存</translation>
    </message>
    <message>
        <source>Saved.</source>
        <translation>已保存。</translation>
    </message>
    <message>
        <source>Short name</source>
        <translation>简称</translation>
    </message>
    <message>
        <source>confirmed</source>
        <translation>已核实</translation>
    </message>
</context>
<context>
    <name>GuideDialog</name>
    <message>
        <source>Print…</source>
        <translation>打印…</translation>
    </message>
    <message>
        <source>Printed.</source>
        <translation>已打印。</translation>
    </message>
    <message>
        <source>Print preview</source>
        <translation>打印预览</translation>
    </message>
    <message>
        <source>80 mm receipt</source>
        <translation>80 毫米小票</translation>
    </message>
    <message>
        <source>Accident</source>
        <translation>事故类型</translation>
    </message>
    <message>
        <source>Claims guidance slip</source>
        <translation>理赔指引</translation>
    </message>
    <message>
        <source>Glass only</source>
        <translation>玻璃单独破碎</translation>
    </message>
    <message>
        <source>Natural disaster</source>
        <translation>自然灾害</translation>
    </message>
    <message>
        <source>Paper</source>
        <translation>纸张</translation>
    </message>
    <message>
        <source>Save as PDF…</source>
        <translation>保存为 PDF…</translation>
    </message>
    <message>
        <source>Save claims guidance</source>
        <translation>保存理赔指引</translation>
    </message>
    <message>
        <source>Saved %1 (%2 pages). Print it and hand it to the owner.</source>
        <translation>已保存 %1（%2 页）。请打印后交给车主。</translation>
    </message>
    <message>
        <source>Single vehicle</source>
        <translation>单车事故</translation>
    </message>
    <message>
        <source>Someone injured</source>
        <translation>有人受伤</translation>
    </message>
    <message>
        <source>Theft</source>
        <translation>车辆被盗抢</translation>
    </message>
    <message>
        <source>Two vehicles, nobody hurt (快处快赔)</source>
        <translation>两车事故，无人受伤（快处快赔）</translation>
    </message>
    <message>
        <source>Vehicle</source>
        <translation>车辆</translation>
    </message>
</context>
<context>
    <name>SmsDialog</name>
    <message>
        <source>%1 messages written to %2; longest %3 characters (%4 SMS each at most); %5 owners left out.</source>
        <translation>已写入 %1 条短信到 %2；最长 %3 字（每人最多 %4 条计费）；未列入 %5 位车主。</translation>
    </message>
    <message>
        <source>Due within (days)</source>
        <translation>多少天内到期</translation>
    </message>
    <message>
        <source>Full phone numbers and names (administrator, audited)</source>
        <translation>完整手机号和姓名（管理员，留审计记录）</translation>
    </message>
    <message>
        <source>Include lapsed (up to 3 years)</source>
        <translation>包括已脱保（3 年内）</translation>
    </message>
    <message>
        <source>Only owners who agreed to be contacted and are not marked 停止联系 are listed.</source>
        <translation>只列出同意被联系、且未标记“停止联系”的车主。</translation>
    </message>
    <message>
        <source>SMS reminder list</source>
        <translation>短信提醒名单</translation>
    </message>
    <message>
        <source>Save SMS list</source>
        <translation>保存短信名单</translation>
    </message>
    <message>
        <source>Save list…</source>
        <translation>保存名单…</translation>
    </message>
</context>
<context>
    <name>StepProgress</name>
    <message>
        <source>Stopping…</source>
        <translation>正在停止…</translation>
    </message>
</context>
<context>
    <name>BatchProgress</name>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>%1 done</source>
        <translation>已完成 %1</translation>
    </message>
    <message>
        <source>Stopping…</source>
        <translation>正在停止…</translation>
    </message>
</context>
<context>
    <name>Errors</name>
    <message>
        <source>The computer ran out of memory for this task. Close other programs and try again; nothing was saved half-way.</source>
        <translation>电脑内存不够完成这项操作。请关闭其他程序后再试；没有保存一半的数据。</translation>
    </message>
    <message>
        <source>A file or folder could not be used. Check the disk, the folder and its permissions, then try again.</source>
        <translation>文件或文件夹无法使用。请检查磁盘、文件夹及其权限后再试。</translation>
    </message>
    <message>
        <source>Something unexpected went wrong. Nothing was saved half-way. Tell your administrator the reference below.</source>
        <translation>出现意外错误，没有保存一半的数据。请把下面的编号告诉管理员。</translation>
    </message>
</context>
<context>
    <name>CardWidget</name>
    <message>
        <source>an imported file</source>
        <translation>导入的文件</translation>
    </message>
    <message>
        <source>an imported file (its name is not recorded on this counter)</source>
        <translation>导入的文件（本机没有该文件的记录）</translation>
    </message>
    <message>
        <source>imported file %1</source>
        <translation>导入文件 %1</translation>
    </message>
    <message>
        <source>Contact stopped on %1 (%2)</source>
        <translation>已于 %1 停止联系（%2）</translation>
    </message>
    <message>
        <source>Contacted %1 times this week (%2 reached, %3 not reached; only reached ones count)</source>
        <translation>本周已联系 %1 次（接通 %2 次，未接通 %3 次；接通才算跟进）</translation>
    </message>
    <message>
        <source>Not contacted this week</source>
        <translation>本周尚未联系</translation>
    </message>
    <message>
        <source>; limit %1 a day, %2 a week</source>
        <translation>；上限：每天 %1 次、每周 %2 次</translation>
    </message>
    <message>
        <source> — this week's limit is reached, no more calls before Monday</source>
        <translation>，本周已达上限，下周一前不再联系</translation>
    </message>
    <message>
        <source> — today's limit is reached, call again tomorrow</source>
        <translation>，今天已达上限，明天再联系</translation>
    </message>
    <message>
        <source>Look up a vehicle to see its compulsory insurance (交强险) here.</source>
        <translation>在左边输入车牌等信息查询，这里显示交强险状态。</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Record what happened</source>
        <translation>记录办理结果</translation>
    </message>
    <message>
        <source>Show full phone and ID</source>
        <translation>查看完整电话和身份证</translation>
    </message>
    <message>
        <source>Supervisors only; every reveal is audited.</source>
        <translation>仅限主管及以上；每次查看都会记入审计。</translation>
    </message>
    <message>
        <source>Print</source>
        <translation>打印</translation>
    </message>
    <message>
        <source>Owner: %1    Phone: %2</source>
        <translation>车主：%1　　电话：%2</translation>
    </message>
    <message>
        <source>Last covered day: %1</source>
        <translation>交强险最后保障日：%1</translation>
    </message>
    <message>
        <source>Commercial insurance (商业险) ends: %1</source>
        <translation>商业险止期：%1</translation>
    </message>
    <message>
        <source>Insurer: %1</source>
        <translation>保险公司：%1</translation>
    </message>
    <message>
        <source>ID number: %1</source>
        <translation>身份证号：%1</translation>
    </message>
    <message>
        <source>recorded at this counter</source>
        <translation>本柜台登记</translation>
    </message>
    <message>
        <source>head office</source>
        <translation>总部同步</translation>
    </message>
    <message>
        <source>import batch %1</source>
        <translation>导入批次 %1</translation>
    </message>
    <message>
        <source>unknown</source>
        <translation>未知</translation>
    </message>
    <message>
        <source>Source: %1 · as of %2 · verified by %3</source>
        <translation>来源：%1 · 截至 %2 · 核实人：%3</translation>
    </message>
    <message>
        <source>nobody</source>
        <translation>无人</translation>
    </message>
    <message>
        <source>▲ May be out of date (可能已过时): no as-of date</source>
        <translation>▲ 可能已过时：没有核实日期</translation>
    </message>
    <message>
        <source>▲ May be out of date (可能已过时): checked %1 days ago</source>
        <translation>▲ 可能已过时：%1 天前核实</translation>
    </message>
    <message>
        <source>Gaps in cover (断档):</source>
        <translation>脱保断档：</translation>
    </message>
    <message>
        <source>%1 to %2 (%3 days)</source>
        <translation>%1 至 %2（%3 天）</translation>
    </message>
    <message>
        <source>Recorded:</source>
        <translation>已记录：</translation>
    </message>
    <message>
        <source> (correction)</source>
        <translation>（更正）</translation>
    </message>
    <message>
        <source>Record what happened (Ctrl+R)</source>
        <translation>记录办理结果（Ctrl+R）</translation>
    </message>
    <message>
        <source>Print the status slip (Ctrl+P)</source>
        <translation>打印告知单（Ctrl+P）</translation>
    </message>
    <message>
        <source>Shows the full values for %1 seconds; you give a reason, and it is audited.</source>
        <translation>显示完整信息 %1 秒；需填写原因，并记入审计日志。</translation>
    </message>
    <message>
        <source>Full phone and ID numbers are for supervisors only (personal data protection). Ask a supervisor if the customer needs them checked.</source>
        <translation>完整电话和身份证号仅主管及以上可查看（个人信息保护）。客户需要核对时，请找主管。</translation>
    </message>
    <message>
        <source>Coming gap in cover (即将断档, not yet begun):</source>
        <translation>即将断档（尚未开始）：</translation>
    </message>
    <message>
        <source> (recorded): no reminders are sent.</source>
        <translation>（已记录）：不再发送提醒。</translation>
    </message>
</context>
<context>
    <name>ExportDialog</name>
    <message>
        <source>Export to Excel</source>
        <translation>导出到 Excel</translation>
    </message>
    <message>
        <source>Due list</source>
        <translation>导出到期名单</translation>
    </message>
    <message>
        <source>Status list (all vehicles)</source>
        <translation>导出状态总表（全部车辆）</translation>
    </message>
    <message>
        <source> days</source>
        <translation> 天内</translation>
    </message>
    <message>
        <source>Include full personal data</source>
        <translation>含完整个人信息</translation>
    </message>
    <message>
        <source>Names, phones and ID numbers are masked.</source>
        <translation>姓名、电话、证件号码已脱敏。</translation>
    </message>
    <message>
        <source>Names, phones and ID numbers are masked unless you include full personal data; a full export is recorded in the audit log.</source>
        <translation>姓名、电话、证件号码默认脱敏；勾选“含完整个人信息”后导出的内容会记入审计。</translation>
    </message>
    <message>
        <source>due within</source>
        <translation>到期时间</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>Export…</source>
        <translation>导出…</translation>
    </message>
    <message>
        <source>due list.xlsx</source>
        <translation>到期名单.xlsx</translation>
    </message>
    <message>
        <source>status list.xlsx</source>
        <translation>状态总表.xlsx</translation>
    </message>
    <message>
        <source>Excel workbooks (*.xlsx)</source>
        <translation>Excel 工作簿 (*.xlsx)</translation>
    </message>
    <message>
        <source>The folder %1 does not exist.</source>
        <translation>文件夹 %1 不存在。</translation>
    </message>
    <message>
        <source>Exporting…</source>
        <translation>正在导出…</translation>
    </message>
    <message>
        <source>%1 rows exported to %2 (full personal data).</source>
        <translation>已导出 %1 行到 %2（含完整个人信息）。</translation>
    </message>
    <message>
        <source>%1 rows exported to %2 (personal data masked).</source>
        <translation>已导出 %1 行到 %2（个人信息已脱敏）。</translation>
    </message>
</context>
<context>
    <name>HelpDialog</name>
    <message>
        <source>Help</source>
        <translation>帮助</translation>
    </message>
    <message>
        <source>Covered; renewal is not open yet (more than the lead days before the end).</source>
        <translation>在保；还没到可续保的时间（距到期超过提前天数）。</translation>
    </message>
    <message>
        <source>Covered, and renewal is open now: offer to renew.</source>
        <translation>在保，现在可以续保：请提醒客户续保。</translation>
    </message>
    <message>
        <source>A new cover already follows the current one without a break.</source>
        <translation>新保单已接上当前保单，没有断档。</translation>
    </message>
    <message>
        <source>No cover now: the car must not be driven until insured.</source>
        <translation>现在没有保障：投保前车辆不得上路。</translation>
    </message>
    <message>
        <source>A cover is bought but has not started yet.</source>
        <translation>已买保单，但还没生效。</translation>
    </message>
    <message>
        <source>We have no 交强险 record for this car (not the same as uninsured).</source>
        <translation>本柜台没有这辆车的交强险记录（不等于没有投保）。</translation>
    </message>
    <message>
        <source>How to search</source>
        <translation>怎样查询</translation>
    </message>
    <message>
        <source>Type a plate (京A12345, also without the province or only its start such as 粤B), the last 6 of the VIN, a phone or its last 4 digits, the last 4 of the ID number, the owner's name, or its pinyin. Results appear as you type; the card shows the selected row. Enter or a double-click opens it as a recorded lookup.</source>
        <translation>输入车牌（京A12345，也可不带省份或只输开头如 粤B）、车架号后 6 位、电话或其后 4 位、身份证后 4 位、车主姓名或拼音。边输边出结果；右侧卡片显示选中的那一行。按回车或双击即正式查询（记入日志）。</translation>
    </message>
    <message>
        <source>What each status means</source>
        <translation>各状态的含义</translation>
    </message>
    <message>
        <source>Keys</source>
        <translation>快捷键</translation>
    </message>
    <message>
        <source>search</source>
        <translation>查询</translation>
    </message>
    <message>
        <source>record what happened</source>
        <translation>记录办理结果</translation>
    </message>
    <message>
        <source>print slip</source>
        <translation>打印告知单</translation>
    </message>
    <message>
        <source>register vehicle</source>
        <translation>登记新车</translation>
    </message>
    <message>
        <source>lock screen</source>
        <translation>锁屏</translation>
    </message>
    <message>
        <source>this help</source>
        <translation>本帮助</translation>
    </message>
    <message>
        <source>clear the search and the card</source>
        <translation>清空查询和卡片</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
</context>
<context>
    <name>ImportWizard</name>
    <message>
        <source>Import a spreadsheet</source>
        <translation>导入表格</translation>
    </message>
    <message>
        <source>No file chosen.</source>
        <translation>尚未选择文件。</translation>
    </message>
    <message>
        <source>Choose file…</source>
        <translation>选择文件…</translation>
    </message>
    <message>
        <source>Choose an Excel workbook (.xlsx, .xls) or a CSV file exported by the insurer or the dealer system.</source>
        <translation>请选择保险公司或经销商系统导出的 Excel 表格（.xlsx、.xls）或 CSV 文件。</translation>
    </message>
    <message>
        <source>Sheet</source>
        <translation>工作表</translation>
    </message>
    <message>
        <source>Check the field of each column; change it where the guess is wrong.</source>
        <translation>请核对每一列对应的字段；识别不对的，在下拉框中改正。</translation>
    </message>
    <message>
        <source>Dry run: nothing has been stored yet.</source>
        <translation>试运行结果：尚未写入任何数据。</translation>
    </message>
    <message>
        <source>Save the error report…</source>
        <translation>保存错误报告…</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>Back</source>
        <translation>上一步</translation>
    </message>
    <message>
        <source>Next</source>
        <translation>下一步</translation>
    </message>
    <message>
        <source>Dry run</source>
        <translation>试运行</translation>
    </message>
    <message>
        <source>Import</source>
        <translation>开始导入</translation>
    </message>
    <message>
        <source>Finish</source>
        <translation>完成</translation>
    </message>
    <message>
        <source>Choose a spreadsheet</source>
        <translation>选择表格文件</translation>
    </message>
    <message>
        <source>Spreadsheets (*.xlsx *.xlsm *.xls *.csv)</source>
        <translation>表格文件 (*.xlsx *.xlsm *.xls *.csv)</translation>
    </message>
    <message>
        <source>Sheet %1, header on row %2; %3 of %4 columns recognised.</source>
        <translation>工作表 %1，表头在第 %2 行；%4 列中识别出 %3 列。</translation>
    </message>
    <message>
        <source>Field</source>
        <translation>字段</translation>
    </message>
    <message>
        <source>(not imported)</source>
        <translation>（不导入）</translation>
    </message>
    <message>
        <source>Data rows %1: new %2, updated %3, duplicates %4, rejected %5.</source>
        <translation>数据行 %1：新增 %2，更新 %3，重复 %4，拒收 %5。</translation>
    </message>
    <message>
        <source>…and %1 more rows: save the error report after the import.</source>
        <translation>……另有 %1 行，导入后可保存错误报告查看。</translation>
    </message>
    <message>
        <source>Imported.</source>
        <translation>导入完成。</translation>
    </message>
    <message>
        <source>Stopped: the first %1 rows are imported, the rest are not. Import the same file again to add the rest (rows already in are not added twice).</source>
        <translation>已停止：前 %1 行已导入，其余未导入。再次导入同一文件即可补齐其余（已导入的行不会重复添加）。</translation>
    </message>
    <message>
        <source>Cancelled: nothing was imported.</source>
        <translation>已取消：没有导入任何数据。</translation>
    </message>
    <message>
        <source>Save the error report</source>
        <translation>保存错误报告</translation>
    </message>
    <message>
        <source>import errors.xlsx</source>
        <translation>导入错误.xlsx</translation>
    </message>
    <message>
        <source>Excel workbooks (*.xlsx)</source>
        <translation>Excel 工作簿 (*.xlsx)</translation>
    </message>
    <message>
        <source>%1 rejected rows saved to %2. Fix them there and import that file again.</source>
        <translation>%1 行错误已保存到 %2。请在该文件中改正后再导入这个文件。</translation>
    </message>
</context>
<context>
    <name>LettersDialog</name>
    <message>
        <source>Preview first letter</source>
        <translation>预览第一封</translation>
    </message>
    <message>
        <source>Reminder letters</source>
        <translation>批量提醒信</translation>
    </message>
    <message>
        <source>no consent to letters</source>
        <translation>未同意寄信</translation>
    </message>
    <message>
        <source>no postal address</source>
        <translation>无地址</translation>
    </message>
    <message>
        <source>sold</source>
        <translation>已卖</translation>
    </message>
    <message>
        <source>scrapped</source>
        <translation>已报废</translation>
    </message>
    <message>
        <source> days</source>
        <translation> 天内</translation>
    </message>
    <message>
        <source>Also lapsed vehicles (lapsed 3 years or less)</source>
        <translation>包括已脱保的车辆（脱保 3 年以内）</translation>
    </message>
    <message>
        <source>By address</source>
        <translation>按地址</translation>
    </message>
    <message>
        <source>By due date</source>
        <translation>按到期日</translation>
    </message>
    <message>
        <source>Due within</source>
        <translation>到期时间</translation>
    </message>
    <message>
        <source>Order</source>
        <translation>排序</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>Print…</source>
        <translation>打印…</translation>
    </message>
    <message>
        <source>Save as PDF…</source>
        <translation>保存为 PDF…</translation>
    </message>
    <message>
        <source>Counting…</source>
        <translation>正在统计…</translation>
    </message>
    <message>
        <source>%1 letters will be printed.</source>
        <translation>将打印提醒信 %1 封。</translation>
    </message>
    <message>
        <source>%1 vehicles get no letter: %2</source>
        <translation>不寄信 %1 辆：%2</translation>
    </message>
    <message>
        <source>No vehicle in the window is skipped.</source>
        <translation>范围内没有不寄信的车辆。</translation>
    </message>
    <message>
        <source>Save letters as PDF</source>
        <translation>提醒信保存为 PDF</translation>
    </message>
    <message>
        <source>PDF files (*.pdf)</source>
        <translation>PDF 文件 (*.pdf)</translation>
    </message>
    <message>
        <source>%1 letters, %2 pages, saved to %3</source>
        <translation>提醒信 %1 封，共 %2 页，已保存到 %3</translation>
    </message>
    <message>
        <source>Cancelled: no file was written and nothing was logged.</source>
        <translation>已取消：没有生成文件，也没有记录打印。</translation>
    </message>
    <message>
        <source>Print letters</source>
        <translation>打印提醒信</translation>
    </message>
    <message>
        <source>Printing…</source>
        <translation>正在打印…</translation>
    </message>
    <message>
        <source>%1 letters, %2 pages sent to the printer.</source>
        <translation>提醒信 %1 封，共 %2 页，已送往打印机。</translation>
    </message>
</context>
<context>
    <name>LockPanel</name>
    <message>
        <source>Unlock</source>
        <translation>解锁</translation>
    </message>
    <message>
        <source>Screen locked</source>
        <translation>屏幕已锁定</translation>
    </message>
    <message>
        <source>Password</source>
        <translation>密码</translation>
    </message>
    <message>
        <source>Only %1 can unlock: enter the password.</source>
        <translation>只有 %1 本人可以解锁：请输入密码。</translation>
    </message>
    <message>
        <source>Staff name</source>
        <translation>员工名</translation>
    </message>
    <message>
        <source>Switch user</source>
        <translation>换人登录</translation>
    </message>
    <message>
        <source>Another staff member takes over this counter with their own name and password.</source>
        <translation>由另一位员工用自己的员工名和密码接手本柜台。</translation>
    </message>
    <message>
        <source>Locked by %1: enter the password to go on, or switch user.</source>
        <translation>%1 锁定了屏幕：输入密码继续，或换人登录。</translation>
    </message>
    <message>
        <source>Logged out</source>
        <translation>已退出登录</translation>
    </message>
    <message>
        <source>Enter your staff name and password.</source>
        <translation>请输入员工名和密码。</translation>
    </message>
    <message>
        <source>Log in</source>
        <translation>登录</translation>
    </message>
</context>
<context>
    <name>LoginDialog</name>
    <message>
        <source>RenewDesk — log in</source>
        <translation>续保台 — 登录</translation>
    </message>
    <message>
        <source>Log in</source>
        <translation>登录</translation>
    </message>
    <message>
        <source>Quit</source>
        <translation>退出</translation>
    </message>
    <message>
        <source>RenewDesk (续保台)</source>
        <translation>续保台</translation>
    </message>
    <message>
        <source>Staff name</source>
        <translation>员工名</translation>
    </message>
    <message>
        <source>Password</source>
        <translation>密码</translation>
    </message>
</context>
<context>
    <name>Main</name>
    <message>
        <source>Upgrading the database to this version of RenewDesk. On a large database this can take several minutes. Please do not close the program or turn off the computer.</source>
        <translation>正在把数据库升级到本版续保台。数据库较大时需要几分钟，请不要关闭程序或关机。</translation>
    </message>
    <message>
        <source>Upgrading the database</source>
        <translation>正在升级数据库</translation>
    </message>
    <message>
        <source>Database check</source>
        <translation>数据库检查</translation>
    </message>
    <message>
        <source>The background check found damage in the database. Keep working only if lookups still look right, and ask your administrator to restore the latest backup soon.</source>
        <translation>后台检查发现数据库有损坏。查询结果看起来正常时可以继续工作，但请尽快让管理员从最近的备份恢复。</translation>
    </message>
    <message>
        <source>Open the database</source>
        <translation>打开数据库</translation>
    </message>
    <message>
        <source>This computer has no saved key. Enter the database passphrase:</source>
        <translation>本机没有保存密钥。请输入数据库口令：</translation>
    </message>
    <message>
        <source>The database passphrase is needed to open the store.</source>
        <translation>需要数据库口令才能打开。</translation>
    </message>
    <message>
        <source>Wrong key</source>
        <translation>密钥不正确</translation>
    </message>
    <message>
        <source>The passphrase or key does not fit this database. Nothing was changed. Check the passphrase and start again.</source>
        <translation>口令或密钥与本数据库不符。没有改动任何数据。请核对口令后重新启动。</translation>
    </message>
    <message>
        <source>Database damaged</source>
        <translation>数据库已损坏</translation>
    </message>
    <message>
        <source>The database cannot be read. Nothing was changed. Ask your administrator to restore the latest backup (renewdesk restore).</source>
        <translation>数据库无法读取。没有改动任何数据。请管理员用最近的备份恢复（renewdesk restore）。</translation>
    </message>
    <message>
        <source>No database</source>
        <translation>没有数据库</translation>
    </message>
    <message>
        <source>Ask your administrator to set up this counter (renewdesk init).</source>
        <translation>请管理员先为本柜台建库（renewdesk init）。</translation>
    </message>
    <message>
        <source>Cannot open the database</source>
        <translation>无法打开数据库</translation>
    </message>
    <message>
        <source>Daily backup written: %1</source>
        <translation>今日自动备份已写入：%1</translation>
    </message>
    <message>
        <source>The daily backup could not be written. Ask your administrator.</source>
        <translation>今日自动备份未能写入，请联系管理员。</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>High contrast (large text mode)</source>
        <translation>高对比度（大字模式）</translation>
    </message>
    <message>
        <source>RenewDesk (续保台) — %1</source>
        <translation>续保台 — %1</translation>
    </message>
    <message>
        <source>Printing is not installed on this workstation.</source>
        <translation>本机没有安装打印功能。</translation>
    </message>
    <message>
        <source>Staff: %1 (%2)</source>
        <translation>员工：%1（%2）</translation>
    </message>
    <message>
        <source>Large text</source>
        <translation>大字模式</translation>
    </message>
    <message>
        <source>Register vehicle</source>
        <translation>登记新车</translation>
    </message>
    <message>
        <source>Letters</source>
        <translation>提醒信</translation>
    </message>
    <message>
        <source>Import</source>
        <translation>导入</translation>
    </message>
    <message>
        <source>Export</source>
        <translation>导出</translation>
    </message>
    <message>
        <source>Lock screen</source>
        <translation>锁屏</translation>
    </message>
    <message>
        <source>Working…</source>
        <translation>正在处理…</translation>
    </message>
    <message>
        <source>RenewDesk</source>
        <translation>续保台</translation>
    </message>
    <message>
        <source>Only the staff member who locked the screen can unlock it.</source>
        <translation>只有锁屏的员工本人可以解锁。</translation>
    </message>
    <message>
        <source>Quit</source>
        <translation>退出</translation>
    </message>
    <message>
        <source>Search</source>
        <translation>查询</translation>
    </message>
    <message>
        <source>Record what happened</source>
        <translation>记录办理结果</translation>
    </message>
    <message>
        <source>Print slip</source>
        <translation>打印告知单</translation>
    </message>
    <message>
        <source>Switch user…</source>
        <translation>换人登录…</translation>
    </message>
    <message>
        <source>Log out</source>
        <translation>退出登录</translation>
    </message>
    <message>
        <source>Help</source>
        <translation>帮助</translation>
    </message>
    <message>
        <source>Lock screen (Ctrl+L)</source>
        <translation>锁屏（Ctrl+L）</translation>
    </message>
    <message>
        <source>Register vehicle (Ctrl+N)</source>
        <translation>登记新车（Ctrl+N）</translation>
    </message>
    <message>
        <source>Large text (Ctrl+=)</source>
        <translation>大字模式（Ctrl+=）</translation>
    </message>
</context>
<context>
    <name>MatchModel</name>
    <message>
        <source>Plate</source>
        <translation>车牌</translation>
    </message>
    <message>
        <source>Owner</source>
        <translation>车主</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Days</source>
        <translation>天数</translation>
    </message>
    <message>
        <source>Phone</source>
        <translation>电话</translation>
    </message>
</context>
<context>
    <name>MenuBar</name>
    <message>
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <source>&amp;Counter</source>
        <translation>柜台(&amp;C)</translation>
    </message>
    <message>
        <source>&amp;Batch</source>
        <translation>批量(&amp;B)</translation>
    </message>
    <message>
        <source>&amp;Renewals</source>
        <translation>续保(&amp;R)</translation>
    </message>
    <message>
        <source>&amp;Service</source>
        <translation>服务(&amp;S)</translation>
    </message>
    <message>
        <source>S&amp;ync</source>
        <translation>同步(&amp;Y)</translation>
    </message>
    <message>
        <source>&amp;Admin</source>
        <translation>管理(&amp;A)</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>显示(&amp;V)</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>帮助(&amp;H)</translation>
    </message>
</context>
<context>
    <name>PrintHook</name>
    <message>
        <source>Print preview</source>
        <translation>打印预览</translation>
    </message>
</context>
<context>
    <name>RecordDialog</name>
    <message>
        <source>yuan, as on the policy (may stay empty)</source>
        <translation>元，照保单填写（可不填）</translation>
    </message>
    <message>
        <source>Premium (交强险)</source>
        <translation>交强险保费</translation>
    </message>
    <message>
        <source>Vehicle tax (车船税)</source>
        <translation>车船税</translation>
    </message>
    <message>
        <source>Try again on</source>
        <translation>再次联系日期</translation>
    </message>
    <message>
        <source>Record what happened — %1</source>
        <translation>记录办理结果 — %1</translation>
    </message>
    <message>
        <source>empty = one year after the start</source>
        <translation>不填 = 起期后一年</translation>
    </message>
    <message>
        <source>Insurer</source>
        <translation>保险公司</translation>
    </message>
    <message>
        <source>Policy number</source>
        <translation>保单号</translation>
    </message>
    <message>
        <source>Start (first day)</source>
        <translation>起期（第一天）</translation>
    </message>
    <message>
        <source>End (last covered day)</source>
        <translation>止期（最后保障日）</translation>
    </message>
    <message>
        <source>Saw the policy (paper)</source>
        <translation>看到纸质保单</translation>
    </message>
    <message>
        <source>Saw the e-policy on the phone</source>
        <translation>看到手机上的电子保单</translation>
    </message>
    <message>
        <source>Insurer's text message</source>
        <translation>保险公司短信</translation>
    </message>
    <message>
        <source>Customer said so (not seen)</source>
        <translation>客户口述（未见凭证）</translation>
    </message>
    <message>
        <source>Evidence seen</source>
        <translation>看到的凭证</translation>
    </message>
    <message>
        <source>Will come on</source>
        <translation>预计来店日期</translation>
    </message>
    <message>
        <source>(new record, corrects nothing)</source>
        <translation>（新记录，不更正任何记录）</translation>
    </message>
    <message>
        <source>Note</source>
        <translation>备注</translation>
    </message>
    <message>
        <source>Corrects</source>
        <translation>更正哪条记录</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>保存</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>What happened?</source>
        <translation>办理结果是什么？</translation>
    </message>
    <message>
        <source>Default: now, or when the current cover ends if that is later.</source>
        <translation>默认：现在，或当前保单止期（如更晚）。</translation>
    </message>
    <message>
        <source>The new cover really starts before now (as printed on the policy)</source>
        <translation>确认新保单起保时间早于现在（保单上就是这个时间）</translation>
    </message>
    <message>
        <source>Start</source>
        <translation>起保时间</translation>
    </message>
</context>
<context>
    <name>RegisterDialog</name>
    <message>
        <source>Register a vehicle</source>
        <translation>登记新车</translation>
    </message>
    <message>
        <source>Plate</source>
        <translation>车牌</translation>
    </message>
    <message>
        <source>VIN (17 characters)</source>
        <translation>车架号（17 位）</translation>
    </message>
    <message>
        <source>Owner name</source>
        <translation>车主姓名</translation>
    </message>
    <message>
        <source>Phone</source>
        <translation>电话</translation>
    </message>
    <message>
        <source>ID number</source>
        <translation>身份证号</translation>
    </message>
    <message>
        <source>Postal address</source>
        <translation>邮寄地址</translation>
    </message>
    <message>
        <source>Agrees to be contacted about renewal</source>
        <translation>同意就续保事宜联系</translation>
    </message>
    <message>
        <source>Agrees to receive reminder letters</source>
        <translation>同意接收提醒信件</translation>
    </message>
    <message>
        <source>Register</source>
        <translation>登记</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
</context>
<context>
    <name>RevealReasonDialog</name>
    <message>
        <source>Why do you need the full values?</source>
        <translation>为什么需要查看完整信息？</translation>
    </message>
    <message>
        <source>You are about to see the full phone and ID number of %1's owner. Say why; the reason is recorded in the audit log.</source>
        <translation>即将显示 %1 车主的完整电话和身份证号。请说明原因，原因会记入审计日志。</translation>
    </message>
    <message>
        <source>The owner is at the counter and asked to check them</source>
        <translation>车主本人在柜台，要求核对</translation>
    </message>
    <message>
        <source>Calling the owner back about the renewal</source>
        <translation>回电车主商量续保</translation>
    </message>
    <message>
        <source>Correcting a wrong phone or ID number</source>
        <translation>更正错误的电话或身份证号</translation>
    </message>
    <message>
        <source>Choose or type a reason</source>
        <translation>选择或输入原因</translation>
    </message>
    <message>
        <source>Show</source>
        <translation>显示</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Give a reason first (choose one or type your own).</source>
        <translation>请先填写原因（可选择或自行输入）。</translation>
    </message>
</context>
<context>
    <name>SearchPanel</name>
    <message>
        <source>Plate, VIN, phone, ID number or name</source>
        <translation>车牌、车架号、电话、身份证号或姓名</translation>
    </message>
    <message>
        <source>Search</source>
        <translation>查询</translation>
    </message>
    <message>
        <source>Type a plate (e.g. 京A12345), the last 6 of the VIN, a phone, the last 4 of the ID number, or the owner's name or initials.</source>
        <translation>可输入车牌（如 京A12345）、车架号后 6 位、电话、身份证后 4 位，或车主姓名、拼音首字母。</translation>
    </message>
    <message>
        <source>Register this vehicle</source>
        <translation>登记这辆车</translation>
    </message>
    <message>
        <source>Not found: no vehicle matches "%1". Check the spelling, or try the last 6 of the VIN or the phone number.</source>
        <translation>找不到：没有与“%1”相符的车辆。请检查输入，或改用车架号后 6 位、手机号查询。</translation>
    </message>
    <message>
        <source>%1 vehicles found</source>
        <translation>找到 %1 辆车</translation>
    </message>
    <message>
        <source>The first 50 vehicles: type more to narrow the list</source>
        <translation>只显示前 50 辆：请多输入几个字缩小范围</translation>
    </message>
</context>
<context>
    <name>SlipPreviewDialog</name>
    <message>
        <source>Print preview — %1</source>
        <translation>打印预览 — %1</translation>
    </message>
    <message>
        <source>A4</source>
        <translation>A4 纸</translation>
    </message>
    <message>
        <source>A5</source>
        <translation>A5 纸</translation>
    </message>
    <message>
        <source>80 mm receipt</source>
        <translation>80 毫米小票</translation>
    </message>
    <message>
        <source>58 mm receipt</source>
        <translation>58 毫米小票</translation>
    </message>
    <message>
        <source>System default printer</source>
        <translation>系统默认打印机</translation>
    </message>
    <message>
        <source>No printer is installed on this computer: ask IT to add one.</source>
        <translation>这台电脑没有安装打印机：请联系 IT 添加。</translation>
    </message>
    <message>
        <source>Paper</source>
        <translation>纸张</translation>
    </message>
    <message>
        <source>Printer</source>
        <translation>打印机</translation>
    </message>
    <message>
        <source>Print</source>
        <translation>打印</translation>
    </message>
    <message>
        <source>Print the slip (Ctrl+P)</source>
        <translation>打印告知单（Ctrl+P）</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
</context>
<context>
    <name>_PasswordForm</name>
    <message>
        <source>Enter your staff name and password.</source>
        <translation>请输入员工名和密码。</translation>
    </message>
</context>
<context>
    <name>EnrolDialog</name>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Ask head office for a one-time enrolment code (renewdesk-server enroll-code).</source>
        <translation>请向总部索取一次性注册码（总部运行 renewdesk-server enroll-code）。</translation>
    </message>
    <message>
        <source>Contacting head office…</source>
        <translation>正在联系总部……</translation>
    </message>
    <message>
        <source>Enrol</source>
        <translation>注册</translation>
    </message>
    <message>
        <source>Enrol with head office</source>
        <translation>在总部注册本柜台</translation>
    </message>
    <message>
        <source>Enrolment code</source>
        <translation>注册码</translation>
    </message>
    <message>
        <source>Enrolment failed.</source>
        <translation>注册失败。</translation>
    </message>
    <message>
        <source>Head office address</source>
        <translation>总部地址</translation>
    </message>
</context>
<context>
    <name>ProblemsDialog</name>
    <message>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>Head office refused %1 changes. They stay on this counter; correct the record (a new entry) and sync again.</source>
        <translation>总部拒收了 %1 条改动。它们仍保留在本柜台；请更正记录（新增一条更正）后再同步。</translation>
    </message>
    <message>
        <source>Loading…</source>
        <translation>正在读取……</translation>
    </message>
    <message>
        <source>No problems: head office accepted every change.</source>
        <translation>没有问题：总部已接收全部改动。</translation>
    </message>
    <message>
        <source>Sync problems</source>
        <translation>同步问题</translation>
    </message>
</context>
<context>
    <name>ProblemsModel</name>
    <message>
        <source>Customer</source>
        <translation>客户</translation>
    </message>
    <message>
        <source>Details</source>
        <translation>内容</translation>
    </message>
    <message>
        <source>Entered</source>
        <translation>录入时间</translation>
    </message>
    <message>
        <source>No.</source>
        <translation>序号</translation>
    </message>
    <message>
        <source>Policy term</source>
        <translation>保单</translation>
    </message>
    <message>
        <source>Record</source>
        <translation>记录</translation>
    </message>
    <message>
        <source>Vehicle</source>
        <translation>车辆</translation>
    </message>
    <message>
        <source>What</source>
        <translation>类别</translation>
    </message>
    <message>
        <source>Why head office refused it</source>
        <translation>总部拒收原因</translation>
    </message>
</context>
<context>
    <name>SyncIndicator</name>
    <message>
        <source>An administrator enrols this counter under Sync → Enrol with head office.</source>
        <translation>请管理员在“同步 → 在总部注册本柜台”中注册。</translation>
    </message>
    <message>
        <source>Sync now</source>
        <translation>立即同步</translation>
    </message>
    <message>
        <source>○ Not connected to head office (not enrolled)</source>
        <translation>○ 未连接总部（尚未注册）</translation>
    </message>
    <message>
        <source>○ Offline · %1 waiting · last sync %2</source>
        <translation>○ 离线 · 待同步 %1 条 · 上次同步 %2</translation>
    </message>
    <message>
        <source>⚠ %1 changes have waited over a day to sync (last sync %2)</source>
        <translation>⚠ 有 %1 条改动已超过一天未同步（上次同步 %2）</translation>
    </message>
    <message>
        <source>✓ Synced %1 · %2 waiting</source>
        <translation>✓ 已同步 %1 · 待同步 %2 条</translation>
    </message>
    <message>
        <source>✕ %1 changes refused by head office (see Sync problems) · synced %2</source>
        <translation>✕ 总部拒收 %1 条改动（见“同步问题”）· 已同步 %2</translation>
    </message>
    <message>
        <source>✕ Sync failed</source>
        <translation>✕ 同步失败</translation>
    </message>
    <message>
        <source>✕ Sync held: this computer's clock is ahead of head office. Correct the clock; changes are kept.</source>
        <translation>✕ 同步暂停：本机时钟比总部快。请校正时间；改动不会丢失。</translation>
    </message>
    <message>
        <source>⟳ Syncing…</source>
        <translation>⟳ 同步中……</translation>
    </message>
</context>
<context>
    <name>SyncMenu</name>
    <message>
        <source>Enrol with head office…</source>
        <translation>在总部注册本柜台……</translation>
    </message>
    <message>
        <source>Sync now</source>
        <translation>立即同步</translation>
    </message>
    <message>
        <source>Sync problems…</source>
        <translation>同步问题……</translation>
    </message>
</context>
<context>
    <name>AdminMenu</name>
    <message>
        <source>Backup and restore…</source>
        <translation>备份与恢复……</translation>
    </message>
    <message>
        <source>Change my password…</source>
        <translation>修改我的密码……</translation>
    </message>
    <message>
        <source>Diagnostics saved: %1</source>
        <translation>诊断包已保存：%1</translation>
    </message>
    <message>
        <source>Export diagnostics for support…</source>
        <translation>导出诊断包（给技术支持）……</translation>
    </message>
    <message>
        <source>Restored</source>
        <translation>已恢复</translation>
    </message>
    <message>
        <source>Save the diagnostics file</source>
        <translation>保存诊断包</translation>
    </message>
    <message>
        <source>Settings…</source>
        <translation>设置……</translation>
    </message>
    <message>
        <source>Staff…</source>
        <translation>员工管理……</translation>
    </message>
    <message>
        <source>The backup was restored. Log in again with a staff account of the backup.</source>
        <translation>备份已恢复。请用备份中的员工账号重新登录。</translation>
    </message>
    <message>
        <source>The previous data was kept in: %1</source>
        <translation>原有数据已保留在：%1</translation>
    </message>
</context>
<context>
    <name>BackupDialog</name>
    <message>
        <source>(none yet)</source>
        <translation>（还没有）</translation>
    </message>
    <message>
        <source>A backup is one file holding the encrypted data and its wrapped key. To restore it on this or a new PC you need that file and the database passphrase, nothing else. Keep a copy away from this PC (a USB drive in a drawer).</source>
        <translation>备份是一个文件，里面有加密的数据和加密保存的密钥。在本机或新电脑上恢复，只需要这个文件和数据库口令。请另存一份在别处（例如放在抽屉里的U盘）。</translation>
    </message>
    <message>
        <source>Automatic daily backups (in the data folder):</source>
        <translation>每日自动备份（在数据目录中）：</translation>
    </message>
    <message>
        <source>Back up now…</source>
        <translation>立即备份……</translation>
    </message>
    <message>
        <source>Backing up…</source>
        <translation>正在备份……</translation>
    </message>
    <message>
        <source>Backup and restore</source>
        <translation>备份与恢复</translation>
    </message>
    <message>
        <source>Backup written: %1</source>
        <translation>备份已写入：%1</translation>
    </message>
    <message>
        <source>Checking the backup, then restoring…</source>
        <translation>正在校验备份，然后恢复……</translation>
    </message>
    <message>
        <source>Choose a RenewDesk backup</source>
        <translation>选择续保台备份文件</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>RenewDesk backups (*.rdbak);;All files (*)</source>
        <translation>续保台备份 (*.rdbak);;所有文件 (*)</translation>
    </message>
    <message>
        <source>Restore a backup</source>
        <translation>恢复备份</translation>
    </message>
    <message>
        <source>Restore from a backup…</source>
        <translation>从备份恢复……</translation>
    </message>
    <message>
        <source>Restoring replaces the data on this PC with the backup's. The current data is kept in the data folder under “replaced”. Continue?</source>
        <translation>恢复会用备份中的数据替换本机数据。现有数据会保留在数据目录的“replaced”文件夹中。继续吗？</translation>
    </message>
    <message>
        <source>The database passphrase of the counter that made this backup:</source>
        <translation>做这个备份的柜台的数据库口令：</translation>
    </message>
    <message>
        <source>Where to put the backup</source>
        <translation>备份放在哪里</translation>
    </message>
</context>
<context>
    <name>Crash</name>
    <message>
        <source>Reference for support: %1</source>
        <translation>技术支持编号：%1</translation>
    </message>
    <message>
        <source>RenewDesk</source>
        <translation>续保台</translation>
    </message>
    <message>
        <source>Something went wrong. Nothing you saved was lost.</source>
        <translation>程序出了点问题。已保存的内容没有丢失。</translation>
    </message>
</context>
<context>
    <name>OwnPasswordDialog</name>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Change my password</source>
        <translation>修改我的密码</translation>
    </message>
    <message>
        <source>Change password</source>
        <translation>修改密码</translation>
    </message>
    <message>
        <source>Current password</source>
        <translation>当前密码</translation>
    </message>
    <message>
        <source>New password</source>
        <translation>新密码</translation>
    </message>
    <message>
        <source>New password again</source>
        <translation>再次输入新密码</translation>
    </message>
    <message>
        <source>Staff: %1</source>
        <translation>员工：%1</translation>
    </message>
    <message>
        <source>The two new passwords differ.</source>
        <translation>两次输入的新密码不一致。</translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <source> (whole organisation)</source>
        <translation>（全机构）</translation>
    </message>
    <message>
        <source>Backup</source>
        <translation>备份</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Changes are recorded in the audit log. Settings marked “whole organisation” are sent to head office with the next sync.</source>
        <translation>修改会记入审计日志。标有“全机构”的设置会在下次同步时发送到总部。</translation>
    </message>
    <message>
        <source>Printing</source>
        <translation>打印</translation>
    </message>
    <message>
        <source>Renewal rules</source>
        <translation>续保规则</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>保存</translation>
    </message>
    <message>
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <source>This counter</source>
        <translation>本柜台</translation>
    </message>
</context>
<context>
    <name>SetupDialog</name>
    <message>
        <source>Administrator account</source>
        <translation>管理员账号</translation>
    </message>
    <message>
        <source>Administrator password</source>
        <translation>管理员密码</translation>
    </message>
    <message>
        <source>Choose a RenewDesk backup</source>
        <translation>选择续保台备份文件</translation>
    </message>
    <message>
        <source>Counter name</source>
        <translation>柜台名称</translation>
    </message>
    <message>
        <source>Create the database</source>
        <translation>创建数据库</translation>
    </message>
    <message>
        <source>Database passphrase</source>
        <translation>数据库口令</translation>
    </message>
    <message>
        <source>I have written the passphrase down; I know it cannot be recovered</source>
        <translation>我已抄下口令，并知道口令丢失后无法找回</translation>
    </message>
    <message>
        <source>Important: write the database passphrase down and keep it somewhere safe. If it is lost, nobody, not even the RenewDesk team, can open the data or its backups again.</source>
        <translation>重要：请把数据库口令抄下来，妥善保管。口令一旦丢失，任何人（包括续保台开发方）都无法再打开这些数据和它的备份。</translation>
    </message>
    <message>
        <source>Organisation</source>
        <translation>机构名称</translation>
    </message>
    <message>
        <source>Passphrase again</source>
        <translation>再次输入口令</translation>
    </message>
    <message>
        <source>Password again</source>
        <translation>再次输入密码</translation>
    </message>
    <message>
        <source>Quit</source>
        <translation>退出</translation>
    </message>
    <message>
        <source>RenewDesk backups (*.rdbak);;All files (*)</source>
        <translation>续保台备份 (*.rdbak);;所有文件 (*)</translation>
    </message>
    <message>
        <source>RenewDesk — first-time set-up</source>
        <translation>续保台 — 首次设置</translation>
    </message>
    <message>
        <source>Restore a backup</source>
        <translation>恢复备份</translation>
    </message>
    <message>
        <source>Restore from a backup instead…</source>
        <translation>改为从备份恢复……</translation>
    </message>
    <message>
        <source>Set up this counter</source>
        <translation>设置本柜台</translation>
    </message>
    <message>
        <source>Strength: fair — longer is better</source>
        <translation>强度：中 — 再长一些更好</translation>
    </message>
    <message>
        <source>Strength: strong</source>
        <translation>强度：强</translation>
    </message>
    <message>
        <source>Strength: weak — use at least 6 characters, better a short sentence</source>
        <translation>强度：弱 — 至少 6 个字符，最好是一句话</translation>
    </message>
    <message>
        <source>The data of this counter will be kept, encrypted, in:
%1</source>
        <translation>本柜台的数据将加密保存在：
%1</translation>
    </message>
    <message>
        <source>The database passphrase of the counter that made this backup:</source>
        <translation>做这个备份的柜台的数据库口令：</translation>
    </message>
    <message>
        <source>The two passphrases differ. Type the same passphrase twice.</source>
        <translation>两次输入的口令不一致，请输入相同的口令。</translation>
    </message>
    <message>
        <source>The two passwords differ. Type the same password twice.</source>
        <translation>两次输入的密码不一致，请输入相同的密码。</translation>
    </message>
    <message>
        <source>This computer has no usable key store: the database passphrase will be asked for each time RenewDesk starts.</source>
        <translation>本机没有可用的系统钥匙串：每次启动续保台都要输入数据库口令。</translation>
    </message>
    <message>
        <source>This computer's key store will keep the key, so staff only need their own password each day.</source>
        <translation>本机的系统钥匙串会保存密钥，员工平时只需输入自己的密码。</translation>
    </message>
    <message>
        <source>e.g. 1号柜台</source>
        <translation>例如：1号柜台</translation>
    </message>
    <message>
        <source>e.g. 示例车行</source>
        <translation>例如：示例车行</translation>
    </message>
</context>
<context>
    <name>StaffDialog</name>
    <message>
        <source>Add staff member</source>
        <translation>添加员工</translation>
    </message>
    <message>
        <source>Change role</source>
        <translation>修改角色</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>Disable</source>
        <translation>停用</translation>
    </message>
    <message>
        <source>Disabled</source>
        <translation>已停用</translation>
    </message>
    <message>
        <source>Enable</source>
        <translation>启用</translation>
    </message>
    <message>
        <source>Failed log-ins</source>
        <translation>连续输错次数</translation>
    </message>
    <message>
        <source>In use</source>
        <translation>在用</translation>
    </message>
    <message>
        <source>Locked: %1 min left</source>
        <translation>锁定中：还剩 %1 分钟</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>员工名</translation>
    </message>
    <message>
        <source>New password</source>
        <translation>新密码</translation>
    </message>
    <message>
        <source>New staff name</source>
        <translation>新员工名</translation>
    </message>
    <message>
        <source>Password (at least 6 characters)</source>
        <translation>密码（至少 6 个字符）</translation>
    </message>
    <message>
        <source>Reset password</source>
        <translation>重设密码</translation>
    </message>
    <message>
        <source>Role</source>
        <translation>角色</translation>
    </message>
    <message>
        <source>Staff</source>
        <translation>员工管理</translation>
    </message>
    <message>
        <source>State</source>
        <translation>状态</translation>
    </message>
</context>
<context>
    <name>ContactDialog</name>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Channel</source>
        <translation>联系方式</translation>
    </message>
    <message>
        <source>Close until date</source>
        <translation>本次关闭到所选日期</translation>
    </message>
    <message>
        <source>Contacted %1 times this week</source>
        <translation>本周已联系 %1 次</translation>
    </message>
    <message>
        <source>Loss reason</source>
        <translation>战败原因</translation>
    </message>
    <message>
        <source>Next contact / visit on</source>
        <translation>下次联系／到店日期</translation>
    </message>
    <message>
        <source>Not reached: %1</source>
        <translation>未联系上：%1</translation>
    </message>
    <message>
        <source>Note</source>
        <translation>备注</translation>
    </message>
    <message>
        <source>Reached: %1</source>
        <translation>已联系上：%1</translation>
    </message>
    <message>
        <source>Record</source>
        <translation>记录</translation>
    </message>
    <message>
        <source>Record contact — %1</source>
        <translation>记录联系 — %1</translation>
    </message>
    <message>
        <source>Renewed with insurer</source>
        <translation>续保的保险公司</translation>
    </message>
    <message>
        <source>Result</source>
        <translation>联系结果</translation>
    </message>
    <message>
        <source>Stop contacting…</source>
        <translation>停止联系…</translation>
    </message>
    <message>
        <source>Tick the date box and choose a later day to close until.</source>
        <translation>请勾选日期并选一个以后的日期，作为本次关闭的截止日。</translation>
    </message>
    <message>
        <source>Write the reason for stopping in the note first.</source>
        <translation>请先在备注中写明停止联系的原因。</translation>
    </message>
</context>
<context>
    <name>RenewalReportDialog</name>
    <message>
        <source>%1 (%2 of %3 renewed here)</source>
        <translation>%1（应续 %3 辆，本店续保 %2 辆）</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>Definition</source>
        <translation>定义</translation>
    </message>
    <message>
        <source>Elsewhere</source>
        <translation>他处续保</translation>
    </message>
    <message>
        <source>Export to Excel</source>
        <translation>导出到 Excel</translation>
    </message>
    <message>
        <source>Export to Excel…</source>
        <translation>导出到 Excel…</translation>
    </message>
    <message>
        <source>Loss reasons: %1
By specialist (renewed here / to renew): %2
%3</source>
        <translation>战败原因：%1
按专员（本店续保／应续）：%2
%3</translation>
    </message>
    <message>
        <source>Lost</source>
        <translation>战败</translation>
    </message>
    <message>
        <source>Month</source>
        <translation>月份</translation>
    </message>
    <message>
        <source>Open</source>
        <translation>未结</translation>
    </message>
    <message>
        <source>Renewal rate by segment</source>
        <translation>分类续保率</translation>
    </message>
    <message>
        <source>Renewed here</source>
        <translation>本店续保</translation>
    </message>
    <message>
        <source>Saved to %1</source>
        <translation>已保存到 %1</translation>
    </message>
    <message>
        <source>Segment</source>
        <translation>细分</translation>
    </message>
    <message>
        <source>Show</source>
        <translation>显示</translation>
    </message>
    <message>
        <source>To renew</source>
        <translation>应续</translation>
    </message>
    <message>
        <source>none</source>
        <translation>无</translation>
    </message>
</context>
<context>
    <name>WorkRowsModel</name>
    <message>
        <source>Assigned to</source>
        <translation>负责人</translation>
    </message>
    <message>
        <source>Days left</source>
        <translation>剩余天数</translation>
    </message>
    <message>
        <source>Last contact</source>
        <translation>上次联系</translation>
    </message>
    <message>
        <source>Next planned</source>
        <translation>下次计划</translation>
    </message>
    <message>
        <source>Owner</source>
        <translation>车主</translation>
    </message>
    <message>
        <source>Plate</source>
        <translation>车牌</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>This week</source>
        <translation>本周联系次数</translation>
    </message>
    <message>
        <source>Reminder</source>
        <translation>到期提醒</translation>
    </message>
    <message>
        <source>Unassigned</source>
        <translation>未分配</translation>
    </message>
</context>
<context>
    <name>WorklistTab</name>
    <message>
        <source>%1
%2 vehicles</source>
        <translation>%1
%2 辆</translation>
    </message>
    <message>
        <source>%1 more reached the contact limit for today or this week.</source>
        <translation>另有 %1 辆今天或本周已达联系次数上限，暂不列出。</translation>
    </message>
    <message>
        <source>%1 vehicles</source>
        <translation>%1 辆</translation>
    </message>
    <message>
        <source>%1: %2 vehicles</source>
        <translation>%1：%2 辆</translation>
    </message>
    <message>
        <source>(showing the first %1)</source>
        <translation>（先显示前 %1 辆）</translation>
    </message>
    <message>
        <source>About to lapse</source>
        <translation>将脱保</translation>
    </message>
    <message>
        <source>Choose a vehicle in the list first.</source>
        <translation>请先在列表中选一辆车。</translation>
    </message>
    <message>
        <source>Counting…</source>
        <translation>正在统计…</translation>
    </message>
    <message>
        <source>Done this month</source>
        <translation>本月已办结</translation>
    </message>
    <message>
        <source>Due today</source>
        <translation>今日待办</translation>
    </message>
    <message>
        <source>Lapsed</source>
        <translation>已脱保</translation>
    </message>
    <message>
        <source>Lists as of %1, %2.</source>
        <translation>%1 的名单，%2。</translation>
    </message>
    <message>
        <source>Next 7 days</source>
        <translation>未来7天</translation>
    </message>
    <message>
        <source>Open card</source>
        <translation>打开卡片</translation>
    </message>
    <message>
        <source>Overdue</source>
        <translation>逾期未跟进</translation>
    </message>
    <message>
        <source>Promised visits</source>
        <translation>预约到店</translation>
    </message>
    <message>
        <source>Record contact…</source>
        <translation>记录联系…</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>刷新</translation>
    </message>
    <message>
        <source>Renewal rate report…</source>
        <translation>续保率报表…</translation>
    </message>
    <message>
        <source>Today's work</source>
        <translation>今日工作</translation>
    </message>
    <message>
        <source>everyone's</source>
        <translation>全部员工的</translation>
    </message>
    <message>
        <source>yours and unassigned</source>
        <translation>您负责的和未分配的</translation>
    </message>
</context>
<context>
    <name>ContactDetailsDialog</name>
    <message>
        <source>Contact details — %1</source>
        <translation>联系方式 — %1</translation>
    </message>
    <message>
        <source>now %1 — leave empty to keep</source>
        <translation>现为 %1，不改请留空</translation>
    </message>
    <message>
        <source>no phone yet</source>
        <translation>尚无电话</translation>
    </message>
    <message>
        <source>e.g. 示例市和平路1号</source>
        <translation>例如 示例市和平路1号</translation>
    </message>
    <message>
        <source>Agrees to be contacted about renewal</source>
        <translation>同意就续保事宜联系</translation>
    </message>
    <message>
        <source>Agrees to receive reminder letters</source>
        <translation>同意接收提醒信件</translation>
    </message>
    <message>
        <source>Owner</source>
        <translation>车主</translation>
    </message>
    <message>
        <source>New phone</source>
        <translation>新电话</translation>
    </message>
    <message>
        <source>Postal address</source>
        <translation>通讯地址</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>保存</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Edit contact details…</source>
        <translation>修改联系方式…</translation>
    </message>
</context>
<context>
    <name>LetterPreviewDialog</name>
    <message>
        <source>Preview: the first letter</source>
        <translation>预览：第一封提醒信</translation>
    </message>
    <message>
        <source>Letter 1 of %1 (this letter takes %2 pages); page 1 shown, as it will print.</source>
        <translation>共 %1 封中的第 1 封（这封信共 %2 页）；下面是第 1 页，与打印出来的一样。</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
</context>
<context>
    <name>CardFactsView</name>
    <message>
        <source>Record use and seats…</source>
        <translation>录入使用性质和座位…</translation>
    </message>
    <message>
        <source>From the 行驶证: 使用性质 and 核定载人数, so the 年检 rule applies</source>
        <translation>按行驶证录入使用性质和核定载人数，年检规则才能适用</translation>
    </message>
    <message>
        <source> (estimate: rule not confirmed, check with the 车管所)</source>
        <translation>（估算：规则未经证实，请向车管所核实）</translation>
    </message>
    <message>
        <source>%1 policy year</source>
        <translation>%1 年度</translation>
    </message>
    <message>
        <source>Annual inspection (年检) valid until %1 · %2</source>
        <translation>年检：检验有效期至 %1 · %2</translation>
    </message>
    <message>
        <source>Annual inspection (年检): %1</source>
        <translation>年检：%1</translation>
    </message>
    <message>
        <source>Coefficient %1 from the insurer's notice, recorded %2</source>
        <translation>浮动系数 %1 取自保险公司告知单，%2 录入</translation>
    </message>
    <message>
        <source>Correct inspection date…</source>
        <translation>更正年检日期…</translation>
    </message>
    <message>
        <source>Due together, one visit: by %1 — %2</source>
        <translation>一起到期，一次办完：%1 前办理 %2</translation>
    </message>
    <message>
        <source>Enter the 年检 date from the 行驶证 when it differs</source>
        <translation>行驶证上的年检日期与推算不同时，在此录入</translation>
    </message>
    <message>
        <source>Floating-rate notice…</source>
        <translation>录入浮动告知单…</translation>
    </message>
    <message>
        <source>History (newest first):</source>
        <translation>历史记录（最新在前）：</translation>
    </message>
    <message>
        <source>Last year's premium: %1 yuan (%2 policy year)</source>
        <translation>上年保费：%1 元（%2 年度）</translation>
    </message>
    <message>
        <source>Record the coefficient on the insurer's 交强险费率浮动告知单</source>
        <translation>录入保险公司《交强险费率浮动告知单》上的浮动系数</translation>
    </message>
    <message>
        <source>Rule: %1</source>
        <translation>规则：%1</translation>
    </message>
    <message>
        <source>The insurer's quote decides the real premium.</source>
        <translation>实际保费以保险公司报价为准。</translation>
    </message>
    <message>
        <source>VIN: %1    Class: %2</source>
        <translation>车架号：%1    车辆类别：%2</translation>
    </message>
    <message>
        <source>Vehicle tax (车船税, paid with 交强险): %1 yuan (%2)</source>
        <translation>车船税：%1 元（与交强险一并缴纳，%2）</translation>
    </message>
    <message>
        <source>class not in the rate table (%1)</source>
        <translation>费率表中没有此类别（%1）</translation>
    </message>
    <message>
        <source>class unknown</source>
        <translation>类别不明</translation>
    </message>
    <message>
        <source>policy %1</source>
        <translation>保单 %1</translation>
    </message>
    <message>
        <source>unknown</source>
        <translation>不明</translation>
    </message>
    <message>
        <source>… and %1 earlier entries</source>
        <translation>……另有 %1 条更早的记录</translation>
    </message>
    <message>
        <source>交强险 premium 估算 (estimate): about %1 yuan</source>
        <translation>交强险保费估算：约 %1 元</translation>
    </message>
    <message>
        <source>交强险 premium 估算: not possible</source>
        <translation>交强险保费估算：无法估算</translation>
    </message>
</context>
<context>
    <name>FloatNoticeDialog</name>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Coefficient</source>
        <translation>浮动系数</translation>
    </message>
    <message>
        <source>Floating-rate notice — %1</source>
        <translation>浮动告知单 — %1</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>保存</translation>
    </message>
    <message>
        <source>Type the coefficient printed on the insurer's 交强险费率浮动告知单 the customer shows you (for example 0.9, or -10%). The premium estimate then uses it.</source>
        <translation>请照客户出示的保险公司《交强险费率浮动告知单》填写浮动系数（例如 0.9，或 -10%）。保存后保费估算按此系数计算。</translation>
    </message>
    <message>
        <source>e.g. 0.9</source>
        <translation>例如 0.9</translation>
    </message>
</context>
<context>
    <name>InspectionDialog</name>
    <message>
        <source>Annual inspection date — %1</source>
        <translation>年检日期 — %1</translation>
    </message>
    <message>
        <source>As on the 行驶证</source>
        <translation>按行驶证副页</translation>
    </message>
    <message>
        <source>Based on</source>
        <translation>依据</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>保存</translation>
    </message>
    <message>
        <source>Type the date on the 行驶证 (检验有效期至), for example 2027-03 or 2027-03-31. It replaces the date worked out from the rules: %1.</source>
        <translation>请照行驶证副页的“检验有效期至”填写，例如 2027-03 或 2027-03-31。它将代替按规则推算的日期：%1。</translation>
    </message>
    <message>
        <source>Valid until</source>
        <translation>检验有效期至</translation>
    </message>
    <message>
        <source>e.g. 2027-03</source>
        <translation>例如 2027-03</translation>
    </message>
    <message>
        <source>none</source>
        <translation>无</translation>
    </message>
</context>
<context>
    <name>VehicleClassDialog</name>
    <message>
        <source>Use and seats — %1</source>
        <translation>使用性质和座位数 — %1</translation>
    </message>
    <message>
        <source>Choose 使用性质 as the rate table names it: the 行驶证's 非营运 is 家庭自用汽车 for a private car, 企业非营业汽车 for a company's, 机关非营业汽车 for a government body's; its 营运 is 营业出租租赁, 营业城市公交 or 营业公路客运. Copy 核定载人数 from the 行驶证. The 年检 date and the premium estimate are then worked out from them.</source>
        <translation>使用性质按保险费率表的分法选：行驶证上写“非营运”的，私人的车选“家庭自用汽车”，企业的车选“企业非营业汽车”，党政机关、事业单位的车选“机关非营业汽车”；写“营运”的，按出租租赁、城市公交、公路客运选。“核定载人数”照行驶证填写。年检日期和保费估算将据此推算。</translation>
    </message>
    <message>
        <source>e.g. 5</source>
        <translation>例如 5</translation>
    </message>
    <message>
        <source>Use (使用性质)</source>
        <translation>使用性质</translation>
    </message>
    <message>
        <source>Seats (核定载人数)</source>
        <translation>核定载人数</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>保存</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
</context>
<context>
    <name>RejectTable</name>
    <message>
        <source>Row</source>
        <translation>行号</translation>
    </message>
    <message>
        <source>Column</source>
        <translation>列</translation>
    </message>
    <message>
        <source>Value</source>
        <translation>内容</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>原因</translation>
    </message>
</context>
</TS>
